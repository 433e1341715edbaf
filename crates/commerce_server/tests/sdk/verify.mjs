// Checks one of our outbound webhook signatures with the published SDK's own
// verifyWebhookSignature(payload, signature, secret). Inputs: PAYLOAD, SIGNATURE, SECRET.
import { verifyWebhookSignature } from '@headless-commerce/sdk';

const valid = await verifyWebhookSignature(process.env.PAYLOAD, process.env.SIGNATURE, process.env.SECRET);
const tampered = await verifyWebhookSignature(`${process.env.PAYLOAD} `, process.env.SIGNATURE, process.env.SECRET);
console.log(valid && !tampered ? 'valid' : `invalid (valid=${valid}, tampered accepted=${tampered})`);
process.exit(valid && !tampered ? 0 : 1);
