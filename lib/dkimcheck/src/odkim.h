/*
 * odkim.h -- the only door to libopendkim. Everything that includes
 * <dkim.h> lives in odkim.c, so its types never leak into our API.
 */
#ifndef DKIMCHECK_ODKIM_H
#define DKIMCHECK_ODKIM_H

/* Opaque libopendkim DKIM_LIB; NULL on failure. */
void *dkimcheck__odkim_init(void);
void dkimcheck__odkim_close(void *lib);
int dkimcheck__odkim_has_ed25519(void *lib);

#endif /* DKIMCHECK_ODKIM_H */
