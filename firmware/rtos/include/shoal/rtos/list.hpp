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

struct List {
  ListNode head;  // sentinel

  void init() { head.next = head.prev = &head; head.task = nullptr; }
  bool initialized() const { return head.next != nullptr; }
  bool empty() const { return head.next == &head; }
  ListNode* first() const { return empty() ? nullptr : head.next; }
  Task* first_task() const { return empty() ? nullptr : head.next->task; }
  ListNode* end() { return &head; }
  const ListNode* end() const { return &head; }

  // Insert n before pos (pos may be the sentinel: append).
  static void insert_before(ListNode* pos, ListNode* n) {
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
  }
  void push_back(ListNode* n) { insert_before(&head, n); }
  static void remove(ListNode* n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = nullptr;
  }
  static bool linked(const ListNode* n) { return n->next != nullptr; }
  // More than one element?
  bool has_many() const { return !empty() && head.next->next != &head; }
};

}  // namespace shoal::rtos
