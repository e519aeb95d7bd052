/**
 * The modules every workflow in a worker thread shares instead of loading its own copy
 * (bundlerOptions.preloadModules, worker/create-worker.ts). With reuseV8Context each workflow evaluates
 * the bundle's modules afresh, and the ed25519 verifier that checks command seals then builds its own
 * table of base-point multiples: about 4,200 points, 1 MB per cached workflow and seconds of CPU on its
 * first task. Preloaded, the table is built once per thread.
 *
 * The seals' verifier (domain/shared/ed25519-verify.ts) is preloaded for the same reason: it keeps each
 * trusted key's table of multiples, built once per thread instead of once per workflow (or per seal).
 *
 * Only pure code belongs here: the SDK deep-freezes what a preloaded module exports and every workflow
 * sees the same instance. The noble libraries keep no state but that cache (a WeakMap, left unfrozen).
 * zod cannot be preloaded: its schemas memoise onto themselves and its config is written on first use.
 * The verifier's tables live in its module, outside what it exports, so they stay writable.
 *
 * The process types' own modules (their zod schemas, deciders and policies) are shared by another way,
 * loaded by the first workflow of the type and kept unfrozen (workflows/shared/thread-shared.ts), whose
 * holder is preloaded here so that every workflow of the thread finds the same one.
 * Re-exported (not imported for effect), since the packages' sideEffects: false lets webpack drop a
 * bare import.
 */
export { ed25519 } from '@noble/curves/ed25519';
export { sha256 } from '@noble/hashes/sha2';
export { bytesToHex, hexToBytes } from '@noble/hashes/utils';
export { verifyEd25519 } from '../../domain/shared/ed25519-verify';
export { onePerThread } from './thread-shared';
