#ifndef FOLIO_CLIBGIT2_SHIM_H
#define FOLIO_CLIBGIT2_SHIM_H

#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option used. */

/* libgit2 re-hashes every object it reads (SHA-1 with collision detection) unless told
   not to; git itself does not (only `git fsck` does). Reading history is dominated by
   that hashing, so Folio turns it off, as git behaves. */
static inline int folio_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* The object cache keeps every object read in a hash table under a lock; a history walk
   reads each commit and tree once, so the cache costs more than it saves there. */
static inline int folio_git_set_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

#endif
