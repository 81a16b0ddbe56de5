/** What a route returns; the Lambda proxy integration and the local server both speak this shape. */
export interface ApiResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * JSON with every non-ASCII character escaped: the DataRobot client decodes error bodies as ASCII and crashes on
 * anything else (protocol README, "Error handling").
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A JSON response. Content-Type is exactly `application/json` (no charset), which the client requires on errors. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: asciiJson(body) };
}

/** An empty response (e.g. 204, or 303 with a Location). */
export function empty(statusCode: number, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers, body: '' };
}
