// The member list: everyone in the room, you first, each with their colour and name.
import type { Identity } from './identity.js';

export interface MemberEntry extends Identity {
  id: number;
  self: boolean;
}

/** Redraws `list` and `count` from `members` (a handful of entries: a full redraw is simplest). */
export function renderMembers(list: HTMLElement, count: HTMLElement, members: readonly MemberEntry[]): void {
  const sorted = [...members].sort((a, b) => Number(b.self) - Number(a.self) || a.id - b.id);
  const items = sorted.map((m) => {
    const li = document.createElement('li');
    li.className = 'member';
    li.dataset.memberId = String(m.id);
    const dot = document.createElement('span');
    dot.className = 'member-dot';
    dot.style.setProperty('--cursor-color', m.color);
    dot.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'member-name';
    name.textContent = m.name;
    li.append(dot, name);
    if (m.self) {
      const you = document.createElement('span');
      you.className = 'member-you';
      you.textContent = 'you';
      li.append(you);
    }
    return li;
  });
  list.replaceChildren(...items);
  count.textContent = String(members.length);
}
