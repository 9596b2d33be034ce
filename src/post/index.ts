import { post } from '../post.js';
import { errorMessage } from '../util/errors.js';
import { warning } from '../util/runner.js';

// Like post() itself, a bug here only warns:
// clean-up never fails a job whose main step passed.
post().catch((err: unknown) => warning(`post: internal error: ${errorMessage(err)}`));
