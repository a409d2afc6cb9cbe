// Intrusive doubly-linked circular list with a sentinel, used for ready lists, wait lists and
// the delay list. Freestanding: no allocation, every operation O(1) except ordered inserts.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace shoal::rtos {

struct Task;

struct ListNode {
  ListNode* next = nullptr;  // nullptr <=> not linked anywhere
  ListNode* prev = nullptr;
  Task* task = nullptr;      // the task that embeds this node
};

// The list operations are always inlined: a handful of loads/stores each, on every hot path
// (a call would cost about as much as the operation).
#define SHOAL_RTOS_LIST_INLINE __attribute__((always_inline))

struct List {
  ListNode head;  // sentinel

  void init() { head.next = head.prev = &head; head.task = nullptr; }
  bool initialized() const { return head.next != nullptr; }
  SHOAL_RTOS_LIST_INLINE bool empty() const { return head.next == &head; }
  SHOAL_RTOS_LIST_INLINE ListNode* first() const { return empty() ? nullptr : head.next; }
  SHOAL_RTOS_LIST_INLINE Task* first_task() const { return empty() ? nullptr : head.next->task; }
  ListNode* end() { return &head; }
  const ListNode* end() const { return &head; }

  // Insert n before pos (pos may be the sentinel: append).
  SHOAL_RTOS_LIST_INLINE static void insert_before(ListNode* pos, ListNode* n) {
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
  }
  SHOAL_RTOS_LIST_INLINE void push_back(ListNode* n) { insert_before(&head, n); }
  SHOAL_RTOS_LIST_INLINE static void remove(ListNode* n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = nullptr;
  }
  SHOAL_RTOS_LIST_INLINE static bool linked(const ListNode* n) { return n->next != nullptr; }
  // More than one element?
  SHOAL_RTOS_LIST_INLINE bool has_many() const { return !empty() && head.next->next != &head; }
};

}  // namespace shoal::rtos
