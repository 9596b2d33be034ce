// S3 locations as configs write them: s3://bucket/key (s3a:// and s3n:// accepted), and the s3a:// form
// Spark's Hadoop S3A connector reads.

const S3_URI = /^s3[an]?:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** S3Location is a bucket and a key (empty for the bucket itself). */
export interface S3Location {
  bucket: string;
  key: string;
}

/** parseS3Uri splits s3://bucket/key (s3a:// and s3n:// too); undefined when it is not one. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const m = S3_URI.exec(uri.trim());
  if (!m) return undefined;
  return { bucket: m[1] as string, key: m[2] ?? '' };
}

/**
 * whyNotS3Uri says what is wrong with a location parseS3Uri refuses: the scheme, or the bucket name (S3's
 * rules: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit).
 */
export function whyNotS3Uri(uri: string): string {
  const m = /^([a-z0-9]+):\/\/([^/]*)/i.exec(uri.trim());
  if (!m || !/^s3[an]?$/.test(m[1] as string))
    return 'is not an S3 location; use s3://bucket/prefix/ or s3://bucket/key';
  const bucket = m[2] as string;
  return `has "${bucket}" as its bucket, which is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit`;
}

/**
 * objectKeyFor is where a file goes under a configured location: a location ending in `/` (or the bucket
 * alone) is a prefix that gets the file's name; anything else is the object's full key.
 */
export function objectKeyFor(loc: S3Location, fileName: string): string {
  return loc.key === '' || loc.key.endsWith('/') ? `${loc.key}${fileName}` : loc.key;
}

/** s3Uri is s3://bucket/key, the form the AWS SDK and EMR use. */
export const s3Uri = (loc: S3Location): string => `s3://${loc.bucket}/${loc.key}`;

/** s3aUri is s3a://bucket/key, the form Hadoop's S3A connector (hadoop-aws) reads on a Spark cluster. */
export const s3aUri = (loc: S3Location): string => `s3a://${loc.bucket}/${loc.key}`;
