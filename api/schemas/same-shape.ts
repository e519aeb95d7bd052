/**
 * True when two types are the same both ways. Each schema file checks its response schemas against the
 * types the code returns with it, so a schema cannot drift from the value it describes.
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
