/** \file ContainerRules.h
 * Typing of lists, dicts and sets (ContainerRules.cpp: displays, subscripts, `in`, operators,
 * iteration; ContainerCalls.cpp: list()/dict()/set(), methods, heapq, sorted, ember.typed).
 * Each `type_container_*` returns false (or Unknown) when the operands are not containers, so
 * the general rules run instead.
 */
#pragma once

#include "typeinfer/CallRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

/// Dict keys and set elements: scalars, None and tuples of them.
bool is_hashable(const TypeContext &types, TypeId t);
/// Checks that `item` may be stored in slot `slot` (0: items or keys, 1: values) of
/// `container`, and records it as that slot's type when the container's is not known yet.
void refine_container(RuleContext &cx, TypeId container, size_t slot, TypeId item);
/// The container made by cx.inst when its item type is not given: typed by its site.
TypeId site_container(RuleContext &cx, TypeKind kind, bool typed);

TypeId type_build_container(RuleContext &cx);  ///< BuildList, BuildMap, BuildSet
bool type_container_getitem(RuleContext &cx, TypeId *out);
bool check_container_setitem(RuleContext &cx);
/// The item type `lst[a:b] = source` stores (source: a list, set, dict, range, tuple or 1-d
/// array); a TypingError naming the line for anything else.
TypeId slice_source_item(RuleContext &cx, TypeId source);
void check_delitem(RuleContext &cx);
bool type_container_contains(RuleContext &cx);
/// `+ * | & - ^` and comparisons with a container operand.
bool type_container_operator(RuleContext &cx, TypeId *out);
/// The iterator over a list, dict, set or dict view (Unknown for other types).
TypeId container_iterator(TypeContext &types, TypeId t);

/// `typed.List.empty_list` / `typed.Dict.empty` (an attribute of the class): its builtin, with
/// *attr_id set; Unknown for any other attribute read.
TypeId type_container_class_attr(RuleContext &cx, uint32_t *attr_id);

/// The parameters of a container builtin or method (nullptr for other builtins).
const BuiltinSignature *container_builtin_signature(BuiltinId id);
/// Typing of container builtins and methods; Unknown when the builtin is not one of them.
TypeId type_container_call(BuiltinCall &call);

}  // namespace ember
