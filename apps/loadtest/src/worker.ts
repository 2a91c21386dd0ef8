// Worker-thread entry: owns one Driver and answers the main thread's calls over postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import { Driver, type DriverConfig } from './driver.js';
import type { DriverCall } from './pool.js';

const driver = new Driver(workerData as DriverConfig);
const port = parentPort!;

port.on('message', (call: DriverCall) => {
  Promise.resolve()
    .then(() => invoke(call))
    .then(
      (result) => port.postMessage({ id: call.id, ok: true, result }),
      (err: unknown) => port.postMessage({ id: call.id, ok: false, error: (err as Error).message }),
    );
});

function invoke(call: DriverCall): unknown {
  switch (call.method) {
    case 'connect': return driver.connect();
    case 'start': return driver.start();
    case 'setHz': return driver.setHz(call.arg as number);
    case 'beginWindow': return driver.beginWindow();
    case 'endWindow': return driver.endWindow();
    case 'counts': return driver.counts();
    case 'collect': return driver.collect();
    case 'progress': return driver.progress();
    case 'alive': return driver.alive();
    case 'stop': return driver.stop().then((r) => { setImmediate(() => port.close()); return r; });
  }
}
