/**
 * The names of what the lambda target writes, in a module of their own so that the packager
 * (target.ts) and the deployer (deploy.ts) share them without importing each other.
 */

/** The bundle's file name; Lambda's handler setting is `<file without extension>.handler`. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
export const LAMBDA_ZIP_FILE = 'function.zip';
