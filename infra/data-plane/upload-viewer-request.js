// CloudFront Function (cloudfront-js-2.0), viewer request, on the data plane's `/upload/*` behaviors.
// Kept dependency-free and small: CloudFront Functions allow 10 KB of code and about a millisecond of CPU.
// The URL scheme and signature are those of shared/use-cases/jobs/upload-url.ts (see docs/data-plane.md).
import cf from 'cloudfront';
import crypto from 'crypto';

const kvs = cf.kvs();
const SECRET_KEY = 'uploadSecret';
const UPLOAD_PATH =
  /^\/upload\/([0-9a-f]{24})\/([0-9]{1,12})\/([A-Za-z0-9_-]{43})\/(?:part\/([0-9]{1,6})|(finalizeMultipart))?$/;

function answer(statusCode, statusDescription, message) {
  return {
    statusCode,
    statusDescription,
    headers: { 'content-type': { value: 'application/json' } },
    body: { encoding: 'text', data: JSON.stringify({ message }) },
  };
}

// Compares every character so the time taken does not reveal how much of a forged signature matched.
function sameText(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function padPart(n) {
  return String(Number(n)).padStart(6, '0');
}

async function handler(event) {
  const request = event.request;
  const match = UPLOAD_PATH.exec(request.uri);
  if (match === null) return answer(404, 'Not Found', 'Not found');
  const jobId = match[1];
  const expires = match[2];
  const signature = match[3];
  const part = match[4];
  const finalize = match[5] !== undefined;

  const method = finalize ? 'POST' : 'PUT';
  if (request.method !== method) return answer(405, 'Method Not Allowed', `Use ${method} for this URL`);

  let secret;
  try {
    secret = await kvs.get(SECRET_KEY);
  } catch (e) {
    return answer(503, 'Service Unavailable', 'Upload signing key is not configured');
  }
  const expected = crypto.createHmac('sha256', secret).update(`${jobId}:${expires}`).digest('base64url');
  if (!sameText(signature, expected)) return answer(403, 'Forbidden', 'Invalid upload URL signature');
  if (Number(expires) * 1000 < Date.now()) return answer(403, 'Forbidden', 'Upload URL expired');

  // Nothing from the query string may reach the origin: on S3 it would select another operation (?acl, ?tagging).
  request.querystring = {};
  if (finalize) {
    // The API authenticates the caller's own Authorization header as on any other route.
    request.uri = `/api/v2/batchPredictions/${jobId}/csvUpload/finalizeMultipart`;
    return request;
  }
  // The DataRobot client sends its API key here; it must never reach S3 (OAC signs the origin request instead).
  delete request.headers.authorization;
  // S3 refuses to overwrite an existing object with 412: a second upload of the same job or part fails.
  request.headers['if-none-match'] = { value: '*' };
  request.uri = `/jobs/${jobId}/input/${part === undefined ? '000000' : padPart(part)}`;
  return request;
}
