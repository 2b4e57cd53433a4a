/**
 * The request body limit every gateway applies when `maxBodySize` is not given: node's
 * listener and serve(), the fastcgi/scgi/cgi core and the bun executable. Lambda and Workers
 * have their platform's own.
 */

/** Default `maxBodySize`: 100 MiB (104857600 bytes); a larger body gets a 413. */
export const DEFAULT_MAX_BODY_SIZE = 100 * 1024 * 1024;
