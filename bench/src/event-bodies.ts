/** A generator of event bodies that all hash differently: `user_id` carries a counter. */
export function uniqueEventBodies(tag: string): () => string {
  let n = 0;
  return () => {
    n += 1;
    return JSON.stringify({
      user_id: `${tag}-${n}`,
      event_type: 'purchase',
      timestamp: new Date().toISOString(),
      payload: { item_id: `item-${n % 1000}`, price: 12.5, currency: 'EUR', platform: 'web' },
    });
  };
}
