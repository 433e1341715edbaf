//! Cart use cases: create, read, add, change, remove, update details.

use crate::address::Address;
use crate::cart::{Cart, CartError};
use crate::error::ErrorCode;
use crate::ids::{CartId, CartItemId, OrderId, SessionId, VariantId};
use crate::ports::StoreError;
use crate::quantity::Quantity;
use crate::Metadata;

use super::{Ports, MAX_ATTEMPTS};

/// Why a cart use case failed.
#[derive(Debug, thiserror::Error)]
pub enum CartServiceError {
    /// No such cart.
    #[error("cart not found")]
    CartNotFound,
    /// No such variant, or it is not for sale.
    #[error("variant not found")]
    VariantNotFound,
    /// No such line in the cart.
    #[error("cart item not found")]
    ItemNotFound,
    /// The cart was already checked out.
    #[error("the cart was already checked out")]
    CartNotActive {
        /// The order it became.
        order_id: Option<OrderId>,
    },
    /// The line would hold more than can be sold now.
    #[error("insufficient stock")]
    InsufficientStock {
        /// The variant.
        variant_id: VariantId,
        /// Units the line would hold.
        requested: i64,
        /// Units available now.
        available: i64,
    },
    /// The line would hold more than 999 units.
    #[error("a line holds at most 999 units")]
    QuantityTooLarge,
    /// Storage trouble.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for CartServiceError {
    fn code(&self) -> &'static str {
        match self {
            CartServiceError::CartNotFound => "cart_not_found",
            CartServiceError::VariantNotFound => "variant_not_found",
            CartServiceError::ItemNotFound => "resource_not_found",
            CartServiceError::CartNotActive { .. } => "cart_not_active",
            CartServiceError::InsufficientStock { .. } => "insufficient_stock",
            CartServiceError::QuantityTooLarge => "invalid_request",
            CartServiceError::Store(e) => e.code(),
        }
    }
}

impl From<CartError> for CartServiceError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::NotActive { order_id } => CartServiceError::CartNotActive { order_id },
            CartError::VariantUnavailable(_) => CartServiceError::VariantNotFound,
            CartError::ItemNotFound(_) => CartServiceError::ItemNotFound,
            CartError::QuantityTooLarge => CartServiceError::QuantityTooLarge,
            CartError::InsufficientStock {
                variant_id,
                requested,
                available,
            } => CartServiceError::InsufficientStock {
                variant_id,
                requested,
                available,
            },
        }
    }
}

/// The cart use cases.
#[derive(Clone)]
pub struct CartService {
    ports: Ports,
}

impl CartService {
    /// Builds the service over the ports.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Creates an empty active cart.
    ///
    /// # Errors
    /// [`CartServiceError::Store`].
    pub async fn create(
        &self,
        session_id: Option<SessionId>,
        metadata: Metadata,
    ) -> Result<Cart, CartServiceError> {
        let cart = Cart::new(
            CartId::generate(self.ports.ids.as_ref()),
            session_id,
            metadata,
            self.ports.clock.now(),
        );
        self.ports.carts.insert_cart(&cart).await?;
        Ok(cart)
    }

    /// Reads a cart.
    ///
    /// # Errors
    /// [`CartServiceError::CartNotFound`], [`CartServiceError::Store`].
    pub async fn get(&self, id: &CartId) -> Result<Cart, CartServiceError> {
        self.ports
            .carts
            .get_cart(id)
            .await?
            .ok_or(CartServiceError::CartNotFound)
    }

    /// The newest active cart of a session.
    ///
    /// # Errors
    /// [`CartServiceError::CartNotFound`], [`CartServiceError::Store`].
    pub async fn get_by_session(&self, session: &SessionId) -> Result<Cart, CartServiceError> {
        self.ports
            .carts
            .find_active_cart_by_session(session)
            .await?
            .ok_or(CartServiceError::CartNotFound)
    }

    /// Adds units of a variant (to its existing line if there is one), soft-checking stock.
    ///
    /// # Errors
    /// [`CartServiceError`] for a missing cart or variant, a checked-out cart, too many
    /// units, or storage trouble.
    pub async fn add_item(
        &self,
        cart_id: &CartId,
        variant_id: &VariantId,
        quantity: Quantity,
        metadata: Option<Metadata>,
    ) -> Result<Cart, CartServiceError> {
        let (cart, variant) = self
            .ports
            .carts
            .get_cart_and_variant(cart_id, variant_id)
            .await?;
        let variant = variant.ok_or(CartServiceError::VariantNotFound)?;
        let cart = cart.ok_or(CartServiceError::CartNotFound)?;
        self.change_from(cart, |cart, ports| {
            let now = ports.clock.now();
            let item_id = CartItemId::generate(ports.ids.as_ref());
            cart.add_item(item_id, variant.clone(), quantity, metadata.clone(), now)
        })
        .await
    }

    /// Sets a line's quantity.
    ///
    /// # Errors
    /// [`CartServiceError`] for a missing cart or line, a checked-out cart, short stock, or
    /// storage trouble.
    pub async fn update_item(
        &self,
        cart_id: &CartId,
        item_id: &CartItemId,
        quantity: Quantity,
    ) -> Result<Cart, CartServiceError> {
        self.change(cart_id, |cart, ports| {
            cart.set_quantity(item_id, quantity, ports.clock.now())
        })
        .await
    }

    /// Removes a line.
    ///
    /// # Errors
    /// [`CartServiceError`] for a missing cart or line, a checked-out cart, or storage
    /// trouble.
    pub async fn remove_item(
        &self,
        cart_id: &CartId,
        item_id: &CartItemId,
    ) -> Result<Cart, CartServiceError> {
        self.change(cart_id, |cart, ports| {
            cart.remove_item(item_id, ports.clock.now())
        })
        .await
    }

    /// Sets addresses or metadata; `None` keeps a field.
    ///
    /// # Errors
    /// [`CartServiceError`] for a missing or checked-out cart, or storage trouble.
    pub async fn update(
        &self,
        cart_id: &CartId,
        shipping_address: Option<Address>,
        billing_address: Option<Address>,
        metadata: Option<Metadata>,
    ) -> Result<Cart, CartServiceError> {
        self.change(cart_id, |cart, ports| {
            cart.update_details(
                shipping_address.clone(),
                billing_address.clone(),
                metadata.clone(),
                ports.clock.now(),
            )
        })
        .await
    }

    /// Reads the cart, applies `edit`, and writes it over the version read, retrying on a
    /// concurrent change.
    async fn change<F>(&self, cart_id: &CartId, edit: F) -> Result<Cart, CartServiceError>
    where
        F: Fn(&mut Cart, &Ports) -> Result<(), CartError> + Send + Sync,
    {
        let cart = self.get(cart_id).await?;
        self.change_from(cart, edit).await
    }

    /// [`change`](Self::change) starting from a cart already read; a conflict reads it again.
    async fn change_from<F>(&self, first: Cart, edit: F) -> Result<Cart, CartServiceError>
    where
        F: Fn(&mut Cart, &Ports) -> Result<(), CartError> + Send + Sync,
    {
        let cart_id = first.id.clone();
        let mut read = Some(first);
        for _ in 0..MAX_ATTEMPTS {
            let mut cart = match read.take() {
                Some(cart) => cart,
                None => self.get(&cart_id).await?,
            };
            edit(&mut cart, &self.ports)?;
            match self.ports.carts.save_cart(&cart).await {
                Ok(()) => return Ok(cart.bumped()),
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict.into())
    }
}

impl Cart {
    pub(crate) fn bumped(self) -> Cart {
        let mut data = (*self).clone();
        data.version += 1;
        Cart::restore(data)
    }
}

#[cfg(test)]
mod tests;
