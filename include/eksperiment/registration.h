/*
 * registration.h - where a protocol was registered, and the tag that
 * points there (SPEC 5).
 *
 * `register` commits the registration entry, then tags that commit
 * eksperiment/<id>/registered.  The tag is a convenience, not the record:
 * a plain `git push` leaves it behind, and a register killed between its
 * commit and its tag never made it.  The record is the history: the first
 * commit that added the registration entry (eks_integrity_load finds it).
 *
 * So that a killed register still gets its tag, register marks the
 * registration as under way before it commits (a small file,
 * .git/eksperiment/registering, per work tree, next to the journal of
 * store.h) and unmarks it once the tag is made; the next write command
 * finds the mark and makes the tag (eks_registration_repair).
 */
#ifndef EKSPERIMENT_REGISTRATION_H
#define EKSPERIMENT_REGISTRATION_H

#include <stddef.h>
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tag of a registration: printf with the experiment id. */
#define EKS_REGISTRATION_TAG "eksperiment/%s/registered"

/*
 * The registered commit of experiment `id` in the history of `rev` (NULL:
 * HEAD), in hex: the commit the tag eksperiment/<id>/registered names
 * when the tag exists and that commit is `rev` or one of its ancestors;
 * else the first commit in the history of `rev` that added the
 * registration entry.  EKS_ENOTFOUND when `rev` does not exist, and when
 * the experiment is not registered in its history (with a message saying
 * so); EKS_EGIT, EKS_ENOMEM.
 */
int eks_registration_commit(char out[EKS_COMMIT_HEX], eks_repo *repo,
			    const char *rev, const char *id);

/*
 * Tag `commit` as the registration of `id`: the annotated tag
 * eksperiment/<id>/registered, whose message names protocol_sha256
 * `sha256` (NULL when not known), by `author` as for eks_repo_tag.
 * Success when the tag already names that commit; EKS_EEXISTS when it
 * names another.
 */
int eks_registration_tag(eks_repo *repo, const char *id, const char *commit,
			 const char *sha256, const char *author);

/*
 * Mark the registration of `id` as under way, before its commit, and
 * unmark it after its tag is made (or when the commit failed).  Call
 * with the repository lock held.  The mark is written to a temporary file
 * created with O_EXCL|O_NOFOLLOW and renamed into place, so a symbolic
 * link planted there never redirects the write (SPEC 8.2).  Unmarking an
 * id that is not marked is fine.  EKS_EIO, EKS_ENOMEM.
 */
int eks_registration_mark(eks_repo *repo, const char *id);
int eks_registration_unmark(eks_repo *repo, const char *id);

/*
 * Finish what an interrupted register left: for each marked id, when the
 * experiment is registered at HEAD and its tag is missing, make the tag
 * (as eks_registration_tag, by `author`) on the registered commit found
 * from the history; then unmark it.  An id whose registration never
 * reached HEAD (killed before its commit) is unmarked without a tag.
 * Without a mark this costs one stat().  Takes the repository lock when
 * there is a mark (it is counted: holding it already is fine).  *made
 * (may be NULL) gets the names of the tags made, also when an error
 * follows (free with eks_strings_free).  The first error stops: the ids
 * not finished stay marked, for the next write.
 */
int eks_registration_repair(char ***made, size_t *made_count, eks_repo *repo,
			    const char *author);

#ifdef __cplusplus
}
#endif
#endif
