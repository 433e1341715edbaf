//! Who gets the next free connection: the oldest request waiting for one.
//!
//! Under load every request waits for a connection, and a request that needs several (a
//! confirm reads, claims, then records) would otherwise queue again behind every request that
//! arrived after it, once per step: its latency grows with its number of steps and the
//! slowest route sets the tail. Handing each freed connection to the waiter whose request
//! started first makes the pool serve requests, not steps, in arrival order. Work outside a
//! request (background jobs) counts from the moment it asks, so nothing waits forever: every
//! waiter ahead of it started earlier.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tokio::sync::oneshot;

tokio::task_local! {
    static REQUEST_STARTED: Instant;
}

/// Runs `work` as part of a request that started at `started`: the connections it asks the
/// store for are handed out by that time, before those of requests that started later.
pub async fn as_request<F: Future>(started: Instant, work: F) -> F::Output {
    REQUEST_STARTED.scope(started, work).await
}

/// The rank the current task's requests for connections carry, if it runs inside
/// [`as_request`]: layers that move a request's place in the queue start from it.
pub fn request_rank() -> Option<Instant> {
    REQUEST_STARTED.try_with(|started| *started).ok()
}

/// When the work asking for a connection now started.
fn started() -> Instant {
    request_rank().unwrap_or_else(Instant::now)
}

/// Permits for the pool's connections, handed to the oldest waiter first.
pub(crate) struct Gate {
    state: Mutex<State>,
}

struct State {
    free: usize,
    next_ticket: u64,
    waiting: BinaryHeap<Waiter>,
}

/// One queued request for a permit; the heap's greatest is the one that started first (then
/// the one that asked first).
struct Waiter {
    started: Instant,
    ticket: u64,
    wake: oneshot::Sender<()>,
}

impl Ord for Waiter {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.started, other.ticket).cmp(&(self.started, self.ticket))
    }
}

impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        self.ticket == other.ticket
    }
}

impl Eq for Waiter {}

/// The right to hold one of the pool's connections; hands it on when dropped.
pub(crate) struct Permit {
    gate: Arc<Gate>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.gate.release();
    }
}

/// A waiter's end of the queue. Dropped before its turn came (a timeout, a client gone), it
/// gives back a permit handed to it in the meantime, so none is lost.
struct Queued {
    gate: Arc<Gate>,
    turn: Option<oneshot::Receiver<()>>,
}

impl Drop for Queued {
    fn drop(&mut self) {
        if let Some(mut turn) = self.turn.take() {
            turn.close();
            if turn.try_recv().is_ok() {
                self.gate.release();
            }
        }
    }
}

impl Gate {
    /// A gate over `permits` connections.
    pub(crate) fn new(permits: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                free: permits,
                next_ticket: 0,
                waiting: BinaryHeap::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a permit, behind every waiter whose work started earlier.
    pub(crate) async fn enter(self: &Arc<Self>) -> Permit {
        let started = started();
        let turn = {
            let mut state = self.lock();
            if state.free > 0 {
                state.free -= 1;
                return Permit { gate: self.clone() };
            }
            let (wake, turn) = oneshot::channel();
            let ticket = state.next_ticket;
            state.next_ticket += 1;
            state.waiting.push(Waiter {
                started,
                ticket,
                wake,
            });
            turn
        };
        let mut queued = Queued {
            gate: self.clone(),
            turn: Some(turn),
        };
        if let Some(turn) = queued.turn.as_mut() {
            // The sender lives in the gate, which `queued` keeps alive: it is only dropped
            // after sending, so the wait ends with our turn.
            let _ = turn.await;
        }
        queued.turn = None;
        Permit { gate: self.clone() }
    }

    /// Hands a permit to the oldest waiter still waiting, or frees it.
    fn release(&self) {
        let mut state = self.lock();
        while let Some(waiter) = state.waiting.pop() {
            if waiter.wake.send(()).is_ok() {
                return;
            }
        }
        state.free += 1;
    }

    /// Permits neither held nor promised.
    #[cfg(test)]
    fn free(&self) -> usize {
        self.lock().free
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_freed_permit_goes_to_the_request_that_started_first() {
        let gate = Gate::new(1);
        let held = gate.enter().await;
        let early = Instant::now();
        let late = early + Duration::from_millis(5);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // The later request queues first; the earlier one must still go first.
        for (name, started) in [("late", late), ("early", early)] {
            let (gate, order) = (gate.clone(), order.clone());
            tasks.push(tokio::spawn(as_request(started, async move {
                let _permit = gate.enter().await;
                order.lock().unwrap().push(name);
            })));
            tokio::task::yield_now().await;
        }
        drop(held);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["early", "late"]);
        assert_eq!(gate.free(), 1);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_loses_no_permit() {
        let gate = Gate::new(1);
        let held = gate.enter().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(10), gate.enter()).await;
        assert!(gave_up.is_err());
        drop(held);
        assert_eq!(gate.free(), 1);

        // Handed a permit, then dropped before it ran: the permit comes back.
        let held = gate.enter().await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move {
                let _permit = gate.enter().await;
            }
        });
        tokio::task::yield_now().await;
        waiting.abort();
        drop(held);
        let _ = waiting.await;
        assert_eq!(gate.free(), 1);
        let _again = gate.enter().await;
        assert_eq!(gate.free(), 0);
    }

    #[tokio::test]
    async fn work_outside_a_request_waits_behind_requests_that_started_before_it() {
        let gate = Gate::new(1);
        let held = gate.enter().await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let job = tokio::spawn({
            let (gate, order) = (gate.clone(), order.clone());
            async move {
                let _permit = gate.enter().await;
                order.lock().unwrap().push("job");
            }
        });
        tokio::task::yield_now().await;
        let request = tokio::spawn({
            let (gate, order) = (gate.clone(), order.clone());
            as_request(Instant::now() - Duration::from_secs(1), async move {
                let _permit = gate.enter().await;
                order.lock().unwrap().push("request");
            })
        });
        tokio::task::yield_now().await;
        drop(held);
        job.await.unwrap();
        request.await.unwrap();
        assert_eq!(*order.lock().unwrap(), ["request", "job"]);
    }
}
