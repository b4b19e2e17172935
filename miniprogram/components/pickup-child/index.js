/**
 * A child as the pickup pages show them to a teacher or the guard (pages/pickup-scan, pickup-walk-home, pickup-late):
 * the photo (or the name's first character) big enough to compare with the child in front of you, the class, where
 * the child is, the end time, the status, and the release or the reason they cannot go. What goes at the right (a
 * tick, call buttons) is the slot.
 *
 *   <pickup-child kid="{{card}}"><view class="tick">✓</view></pickup-child>
 *
 * `kid` is services/pickup.js childCard(), with `refusal` (a refused release's reason) when there is one.
 */
Component({
  options: { styleIsolation: 'apply-shared' },

  properties: {
    kid: { type: Object, value: {} },
  },
});
