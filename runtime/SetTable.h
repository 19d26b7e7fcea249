// The set's side of the ember_dict_* functions (runtime/Set.cpp): Dict.cpp's entry points hand a
// container whose value typeinfo is NULL to these.  The table's layout is public
// (ember/containers.h, ember_set) because compiled code probes it inline.
#ifndef EMBER_RUNTIME_SETTABLE_H
#define EMBER_RUNTIME_SETTABLE_H

#include "ember/containers.h"

namespace ember::rt {

inline bool is_set(ember_meminfo *c) {
  return static_cast<const ember_set *>(c->data)->value == nullptr;
}

ember_meminfo *set_new(const ember_typeinfo *key);
int64_t set_len(ember_meminfo *s);
void *set_lookup(ember_meminfo *s, const void *key);
int32_t set_add(ember_meminfo *s, const void *key);
int32_t set_discard(ember_meminfo *s, const void *key);
int32_t set_pop(ember_meminfo *s, void *key_out);
void set_clear(ember_meminfo *s);
ember_meminfo *set_copy(ember_meminfo *s);
int32_t set_next(ember_meminfo *s, int64_t *pos, void **key);
int32_t set_update(ember_meminfo *s, ember_meminfo *other);

}  // namespace ember::rt

#endif  // EMBER_RUNTIME_SETTABLE_H
