/**
 * Picking children for a record (看护记录's notes, 突发情况's children involved), shared by pages/care-log and
 * pages/incident-report with components/child-chips: a session roster's children, a search's, and the selection.
 */

/** Roster rows (GET /sessions/{id}/roster) as children to pick: those expected here first, then the others. */
function rosterKids(rows) {
  const list = (rows || []).slice().sort((a, b) => Number(b.expected) - Number(a.expected));
  return list.map((r) => ({ id: r.student_id, name: r.name, className: r.class_name || '' }));
}

/** Students found (GET /schools/{id}/students) as children to pick. */
function foundKids(students) {
  return (students || []).map((s) => ({ id: s.id, name: s.name, className: s.class_name || '' }));
}

/** The chips: each child with `on` when picked. */
function chips(kids, pickedIds) {
  return (kids || []).map((k) => ({ ...k, on: pickedIds.indexOf(k.id) >= 0 }));
}

/** The picked list with `kid` added, or taken out when it was there; each child once. */
function toggle(picked, kid) {
  if (picked.some((p) => p.id === kid.id)) return picked.filter((p) => p.id !== kid.id);
  return picked.concat([kid]);
}

module.exports = { rosterKids, foundKids, chips, toggle };
