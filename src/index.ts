import { run } from './main.js';
import { errorMessage } from './util/errors.js';
import { setFailed } from './util/runner.js';

// run() reports its own failures; this only
// catches a bug in that reporting.
run().catch((err: unknown) => setFailed(`internal error: ${errorMessage(err)}`));
