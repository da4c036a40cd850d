/*
 * odkim.h -- the narrow internal interface to libopendkim (odkim.c): the
 * library handle is a void * so no other file needs <dkim.h>.
 */
#ifndef DKIMCHECK_ODKIM_H
#define DKIMCHECK_ODKIM_H

#include <stddef.h>

#include "internal.h"

void *dkimcheck__odkim_init(void);
void dkimcheck__odkim_close(void *lib);
int dkimcheck__odkim_has_ed25519(void *lib);

/* A verifying handle for one message; NULL on failure. */
void *dkimcheck__odkim_msg_open(void *lib, struct dkimcheck__keyctx *ctx);
/* Raw message bytes, headers and body; 0, or 1 when libopendkim wants no
 * more (*why: NULL when there is no signature, else a static reason). */
int dkimcheck__odkim_msg_feed(void *msg, unsigned char *buf, size_t len, const char **why);
/*
 * End of message: fills m's signatures and message result; 0 or
 * DKIMCHECK_ENOMEM. With stopped set (feeding ended early, the reason or
 * NULL for "no signature"), only the signatures already seen are reported.
 */
int dkimcheck__odkim_msg_finish(void *msg, struct dkimcheck__keyctx *ctx, dkimcheck_message *m,
                                const char *stopped);
void dkimcheck__odkim_msg_close(void *msg);

#endif /* DKIMCHECK_ODKIM_H */
