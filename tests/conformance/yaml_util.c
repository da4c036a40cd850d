/*
 * yaml_util.c -- see yaml_util.h.
 */
#include <string.h>

#include "yaml_util.h"

yaml_node_t *yaml_map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

const char *yaml_scalar(const yaml_node_t *n, size_t *len)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (len != NULL)
		*len = n->data.scalar.length;
	return (const char *)n->data.scalar.value;
}

const char *yaml_map_str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	return yaml_scalar(yaml_map_get(d, map, key), NULL);
}

size_t yaml_seq_len(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *yaml_seq_at(yaml_document_t *d, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(d, n->data.sequence.items.start[i]);
}
