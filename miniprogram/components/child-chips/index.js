/**
 * Children to pick, as chips (pages/care-log: whom a note is about; pages/incident-report: who was involved): each
 * chip the name and class, ticked when picked. A tap says which child (`bindtoggle`, detail {id}); the page keeps
 * the selection (utils/children.js).
 *
 *   <child-chips kids="{{rosterKids}}" bindtoggle="onToggleKid"></child-chips>
 *
 * `kids`: [{id, name, className, on}].
 */
Component({
  options: { styleIsolation: 'apply-shared' },

  properties: {
    kids: { type: Array, value: [] },
    empty: { type: String, value: '' },
  },

  methods: {
    onTap(e) {
      this.triggerEvent('toggle', { id: Number(e.currentTarget.dataset.id) });
    },
  },
});
