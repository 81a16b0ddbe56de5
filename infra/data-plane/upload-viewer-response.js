// CloudFront Function (cloudfront-js-2.0), viewer response, on the data plane's S3 upload behavior.
// S3 answers a stored PUT with 200, but the DataRobot 3.x client re-sends a part unless it gets 202, and the API
// contract answers a second upload with 409 where S3's conditional write says 412.
function handler(event) {
  const response = event.response;
  if (event.request.method === 'PUT' && response.statusCode === 200) {
    response.statusCode = 202;
    response.statusDescription = 'Accepted';
  } else if (response.statusCode === 412) {
    response.statusCode = 409;
    response.statusDescription = 'Conflict';
  }
  return response;
}
