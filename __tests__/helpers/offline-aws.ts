/**
 * A fake STS endpoint for the one AWS call a plan of the project's stacks makes with dummy credentials
 * (the `aws_caller_identity` data source of the redshift, api and waf stacks; see
 * `writeOfflineOverride`'s `stsEndpoint`). It runs in a worker thread, because the tests run
 * Terraform with spawnSync, which blocks this thread's event loop.
 */
import { Worker } from 'worker_threads';

/** The account id the fake STS answers with. */
export const FAKE_ACCOUNT_ID = '123456789012';

/**
 * GetCallerIdentity's Query-protocol answer ("GetCallerIdentity", AWS STS API Reference: Arn, UserId,
 * Account), for every request.
 */
const WORKER = `
const http = require('http');
const { parentPort } = require('worker_threads');
const body = '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
  '<GetCallerIdentityResult><Arn>arn:aws:iam::${FAKE_ACCOUNT_ID}:user/offline-plan</Arn>' +
  '<UserId>AIDAOFFLINEPLAN</UserId><Account>${FAKE_ACCOUNT_ID}</Account></GetCallerIdentityResult>' +
  '<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>' +
  '</GetCallerIdentityResponse>';
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

export interface FakeSts {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export function startFakeSts(): Promise<FakeSts> {
  const worker = new Worker(WORKER, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (port: number) =>
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            worker.once('exit', () => done());
            worker.postMessage('stop');
          }),
      }),
    );
  });
}
