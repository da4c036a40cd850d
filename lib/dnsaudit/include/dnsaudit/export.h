/*
 * export.h -- symbol visibility for libdnsaudit. The library is built with
 * -fvisibility=hidden, so only declarations marked DNSAUDIT_API are exported.
 */
#ifndef DNSAUDIT_EXPORT_H
#define DNSAUDIT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define DNSAUDIT_API __attribute__((visibility("default")))
#else
#define DNSAUDIT_API
#endif

#endif /* DNSAUDIT_EXPORT_H */
