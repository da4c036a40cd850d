/*
 * yaml_util.h -- reading libyaml documents in the conformance runners:
 * mapping lookups, scalars (which may hold NUL: see len), sequences.
 */
#ifndef MAILAUDIT_TEST_YAML_UTIL_H
#define MAILAUDIT_TEST_YAML_UTIL_H

#include <stddef.h>
#include <yaml.h>

/* The value of `key` in a mapping node, or NULL. */
yaml_node_t *yaml_map_get(yaml_document_t *d, yaml_node_t *map, const char *key);
/* A scalar's text (NUL-terminated; may hold NUL: see len), or NULL. */
const char *yaml_scalar(const yaml_node_t *n, size_t *len);
/* The scalar value of `key`, or NULL. */
const char *yaml_map_str(yaml_document_t *d, yaml_node_t *map, const char *key);
/* Items of a sequence node (0 for anything else), and the i-th. */
size_t yaml_seq_len(const yaml_node_t *n);
yaml_node_t *yaml_seq_at(yaml_document_t *d, const yaml_node_t *n, size_t i);

#endif /* MAILAUDIT_TEST_YAML_UTIL_H */
