/**
 * The modules every workflow in a worker thread shares instead of loading its own copy
 * (bundlerOptions.preloadModules, worker/create-worker.ts). With reuseV8Context each workflow evaluates
 * the bundle's modules afresh, and the ed25519 verifier that checks command seals then builds its own
 * table of base-point multiples: about 4,200 points, 1 MB per cached workflow and seconds of CPU on its
 * first task. Preloaded, the table is built once per thread.
 *
 * Only pure code belongs here: the SDK deep-freezes what a preloaded module exports and every workflow
 * sees the same instance. The noble libraries keep no state but that cache (a WeakMap, left unfrozen).
 * zod cannot be preloaded: its schemas memoise onto themselves and its config is written on first use.
 * Re-exported (not imported for effect), since the packages' sideEffects: false lets webpack drop a
 * bare import.
 */
export { ed25519 } from '@noble/curves/ed25519';
export { sha256 } from '@noble/hashes/sha2';
export { bytesToHex, hexToBytes } from '@noble/hashes/utils';
