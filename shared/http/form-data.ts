/**
 * `multipart/form-data` request bodies (the DataRobot client's file uploads: one `file` part plus text parts),
 * parsed with busboy from the body the API handler received.
 */
import busboy from 'busboy';
import type { ApiRequest } from './api-request.js';
import { HttpError } from './http-errors.js';

export interface FormFile {
  readonly fileName: string;
  readonly bytes: Buffer;
}

export interface FormData {
  readonly files: ReadonlyMap<string, FormFile>;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The form in the request body. 415 when the request is not multipart/form-data, 400 when the body is not a
 * well-formed form.
 */
export function formData(req: ApiRequest): Promise<FormData> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(
      new HttpError(
        415,
        `expected a multipart/form-data body, got Content-Type "${contentType.slice(0, 80)}"`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const files = new Map<string, FormFile>();
    const fields: Record<string, string> = {};
    const fail = (error: Error) =>
      reject(new HttpError(400, `malformed multipart/form-data body: ${error.message}`));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    } catch (error) {
      fail(error as Error); // e.g. no boundary parameter
      return;
    }
    parser.on('file', (name, stream, info) => {
      const pieces: Buffer[] = [];
      stream.on('data', (piece: Buffer) => pieces.push(piece));
      stream.on('end', () =>
        files.set(name, { fileName: info.filename || name, bytes: Buffer.concat(pieces) }),
      );
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('close', () => resolve({ files, fields }));
    parser.on('error', fail);
    parser.end(req.bodyBytes);
  });
}
