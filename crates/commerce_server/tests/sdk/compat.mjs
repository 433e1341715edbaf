// Drives a running headless-commerce server through the published @headless-commerce/sdk@0.2.0,
// unchanged. Inputs come from the environment: HC_BASE_URL (…/v1), HC_PK, HC_SK, HC_SANDBOX_URL.
// Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import { createAdminClient, createStorefrontClient, HeadlessCommerceError } from '@headless-commerce/sdk';

const { HC_BASE_URL: baseUrl, HC_PK: pk, HC_SK: sk, HC_SANDBOX_URL: sandbox } = process.env;
const store = createStorefrontClient({ apiKey: pk, baseUrl, maxRetries: 0 });
const admin = createAdminClient({ apiKey: sk, baseUrl, maxRetries: 0 });
let passed = 0;
async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    console.log(`not ok - ${name}\n${error.stack}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  }
}

let product, variant, cart, order;

await check('products.list and listAutoPaginate over several pages', async () => {
  const first = await store.products.list({ limit: 1 });
  assert.equal(first.data.length, 1);
  assert.equal(first.has_more, true);
  assert.ok(first.next_cursor);
  const all = [];
  for await (const p of store.products.listAutoPaginate({ limit: 1 })) all.push(p);
  assert.ok(all.length >= 3, `saw ${all.length} products`);
  assert.equal(new Set(all.map((p) => p.id)).size, all.length, 'no product twice');
  product = all.find((p) => p.slug === 'classic-t-shirt');
  assert.ok(product);
});

await check('products.get and getBySlug', async () => {
  const byId = await store.products.get(product.id);
  const bySlug = await store.products.getBySlug('classic-t-shirt');
  assert.equal(byId.id, bySlug.id);
  assert.deepEqual(byId.price, { amount: 29000, currency: 'KRW' });
  variant = byId.variants[0];
  assert.equal(typeof variant.stock, 'number');
});

await check('carts: create, get, getBySession, addItem, updateItem, removeItem', async () => {
  cart = await store.carts.create({ session_id: 'sdk-session' });
  assert.equal(cart.status, 'active');
  assert.equal((await store.carts.get(cart.id)).id, cart.id);
  assert.equal((await store.carts.getBySession('sdk-session')).id, cart.id);
  cart = await store.carts.addItem(cart.id, { variant_id: variant.id, quantity: 1 });
  const line = cart.items[0];
  cart = await store.carts.updateItem(cart.id, line.id, { quantity: 3 });
  assert.equal(cart.items[0].quantity, 3);
  cart = await store.carts.removeItem(cart.id, line.id);
  assert.equal(cart.items.length, 0);
  cart = await store.carts.addItem(cart.id, { variant_id: variant.id, quantity: 2 });
  assert.deepEqual(cart.summary.total, { amount: 58000, currency: 'KRW' });
});

await check('an insufficient_stock 409 surfaces as HeadlessCommerceError', async () => {
  await assert.rejects(
    store.carts.addItem(cart.id, { variant_id: variant.id, quantity: 200 }),
    (error) => {
      assert.ok(error instanceof HeadlessCommerceError);
      assert.equal(error.code, 'insufficient_stock');
      assert.equal(error.status, 409);
      assert.equal(error.details.variant_id, variant.id);
      return true;
    },
  );
});

await check('checkout.create with payment_method tosspayments', async () => {
  order = await store.checkout.create(cart.id, {
    email: 'sdk@example.com',
    shipping_address: { line1: '서울특별시 강남구 테헤란로 131', postal_code: '06133', country: 'KR', receiver_name: '김민수' },
    payment_method: 'tosspayments',
  });
  assert.equal(order.status, 'pending');
  assert.equal(order.payment, null);
  assert.equal(order.toss_payment.order_id, `HC-${order.id}`);
  assert.equal(order.toss_payment.order_name, 'Classic T-Shirt 외 1건');
  assert.equal(order.toss_payment.amount, 58000);
});

await check('orders.get and lookup after paying through the sandbox', async () => {
  const authorized = await fetch(`${sandbox}/sandbox/v1/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: order.toss_payment.order_id, orderName: order.toss_payment.order_name, amount: 58000, method: 'CARD' }),
  }).then((r) => r.json());
  const confirmed = await fetch(`${baseUrl}/storefront/payments/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pk}` },
    body: JSON.stringify({ payment_key: authorized.paymentKey, order_id: order.toss_payment.order_id, amount: String(58000) }),
  }).then((r) => r.json());
  assert.equal(confirmed.status, 'confirmed');
  const read = await store.orders.get(order.id);
  assert.equal(read.status, 'confirmed');
  assert.equal(read.payment_status, 'paid');
  const found = await store.orders.lookup({ number: Number(read.number), email: 'sdk@example.com' });
  assert.equal(found.id, order.id);
  await assert.rejects(store.orders.get('order_0000000000000000000000'), (e) => e.status === 404 && e.code === 'order_not_found');
});

await check('admin products and variants', async () => {
  const created = await admin.products.adminCreate({ name: 'SDK Hoodie', slug: 'sdk-hoodie', status: 'active' });
  assert.equal(created.slug, 'sdk-hoodie');
  const v = await admin.variants.adminCreate(created.id, { price: 49000, sku: 'SDK-H-1' });
  assert.deepEqual(v.price, { amount: 49000, currency: 'KRW' });
  const variants = await admin.variants.adminList(created.id);
  assert.equal(variants.data.length, 1);
  const listed = await admin.products.adminList({ q: 'SDK', limit: 10 });
  assert.equal(listed.total_count, 1);
  const updated = await admin.products.adminUpdate(created.id, { description: '후드티' });
  assert.equal(updated.description, '후드티');
  const item = await admin.inventory.adminAdjust(v.inventory_item_id, { quantity: 7 });
  assert.equal(item.levels[0].on_hand, 7);
  const got = await admin.inventory.adminGet(v.inventory_item_id);
  assert.equal(got.levels[0].available, 7);
});

await check('admin api-keys', async () => {
  const key = await admin.apiKeys.adminCreate({ name: 'sdk', key_type: 'publishable', mode: 'test' });
  assert.ok(key.key.startsWith('pk_test_'));
  const list = await admin.apiKeys.adminList();
  assert.ok(list.data.some((k) => k.id === key.id && !('key' in k)));
  const rotated = await admin.apiKeys.adminRotate(key.id);
  assert.equal(rotated.id, key.id);
  await admin.apiKeys.adminDelete(key.id);
});

console.log(`${passed} passed, 0 failed`);
