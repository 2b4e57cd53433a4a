/**
 * adapters/_http/text-body.ts: which Content-Types are text (sent as strings) and which are
 * binary (base64 on Lambda). A wrong "text" answer corrupts bytes, so the table is explicit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isTextContentType } from '../../adapters/_http/text-body.ts';

const TEXT = [
  'text/plain',
  'text/html; charset=utf-8',
  'TEXT/CSS',
  'text/event-stream',
  ' text/csv ',
  'application/json',
  'Application/JSON; charset=UTF-8',
  'application/vnd.api+json',
  'application/ld+json',
  'application/problem+json',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/xml',
  'application/atom+xml',
  'application/xhtml+xml',
  'image/svg+xml',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/pdf;charset=utf-8',
  'application/octet-stream; CHARSET=latin1',
  'application/x-custom ; charset = utf-8',
];

const BINARY = [
  null,
  undefined,
  '',
  'application/octet-stream',
  'image/png',
  'image/jpeg',
  'audio/mpeg',
  'video/mp4',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/wasm',
  'font/woff2',
  'multipart/form-data; boundary=x',
  'application/vnd.ms-excel',
  'application/jsonx',
  'application/json-seq-but-not',
  'image/svg',
  'application/x-protobuf',
  'application/octet-stream; name="charset=utf-8"',
];

describe('isTextContentType', () => {
  for (const type of TEXT) it(`${JSON.stringify(type)} is text`, () => assert.equal(isTextContentType(type), true));
  for (const type of BINARY) it(`${JSON.stringify(type)} is binary`, () => assert.equal(isTextContentType(type), false));

  it('never calls an image, audio, video or font type without a charset text', () => {
    fc.assert(
      fc.property(fc.constantFrom('image', 'audio', 'video', 'font'), fc.stringMatching(/^[a-z0-9.-]{1,12}$/), (top, sub) => {
        assert.equal(isTextContentType(`${top}/${sub}`), false);
      }),
    );
  });
  it('calls every text/* type text, whatever its parameters', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9.+-]{1,12}$/), fc.stringMatching(/^[a-z=; ]{0,12}$/), (sub, params) => {
        assert.equal(isTextContentType(`text/${sub}${params ? `; ${params}` : ''}`), true);
      }),
    );
  });
});
