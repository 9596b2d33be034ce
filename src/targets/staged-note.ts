// What a render or dry run says about the objects its request names but only a deploy creates (an S3
// upload, a copy into a shared directory): the request is shown as the deploy will send it, yet those
// objects do not exist until then.

/** stagedOnlyOnDeploy names the staged objects and says that a render or dry run creates none of them. */
export function stagedOnlyOnDeploy(objects: readonly string[]): string {
  return `${objects.join(', ')} ${objects.length === 1 ? 'is' : 'are'} staged only when the action deploys (a render or dry run uploads and copies nothing)`;
}
