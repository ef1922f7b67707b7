import { describe, expect, it } from 'vitest';
import { BodyBudget, BodyReservation, reservationOf, withBodyBudget } from './body-budget.ts';
import { ApiError } from '../errors.ts';

describe('BodyBudget and BodyReservation', () => {
  it('grant what fits, refuse the rest with 503 overloaded, and give everything back once', () => {
    const budget = new BodyBudget(100);
    const first = new BodyReservation(budget);
    first.take(60);
    const second = new BodyReservation(budget);
    second.take(40);
    expect(budget.inUse).toBe(100);
    let refused: unknown;
    try {
      new BodyReservation(budget).take(1);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 503, code: 'overloaded', headers: { 'retry-after': '1' } });
    first.release();
    first.release();
    expect(budget.inUse).toBe(40);
    first.take(10); // answered already: not charged
    expect(budget.inUse).toBe(40);
    second.release();
    expect(budget.inUse).toBe(0);
  });
});

describe('withBodyBudget', () => {
  const request = () => new Request('http://127.0.0.1/x', { method: 'POST', body: 'x' });

  it('gives the reservation to the handler and releases it when the answer is ready, however it ends', async () => {
    const budget = new BodyBudget(100);
    const charge = (r: Request) => reservationOf(r)?.take(30);
    const sync = withBodyBudget((r: Request) => {
      charge(r);
      return new Response('ok');
    }, budget);
    expect((sync(request()) as Response).status).toBe(200);
    expect(budget.inUse).toBe(0);

    let inside = 0;
    const slow = withBodyBudget(async (r: Request) => {
      charge(r);
      inside = budget.inUse;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return new Response('late');
    }, budget);
    expect((await slow(request())).status).toBe(200);
    expect(inside).toBe(30);
    expect(budget.inUse).toBe(0);

    const failing = withBodyBudget(async (r: Request): Promise<Response> => {
      charge(r);
      throw new Error('boom');
    }, budget);
    await expect(failing(request())).rejects.toThrow('boom');
    const throwing = withBodyBudget((r: Request): Response => {
      charge(r);
      throw new Error('sync boom');
    }, budget);
    expect(() => throwing(request())).toThrow('sync boom');
    expect(budget.inUse).toBe(0);
    expect(reservationOf(request())).toBeUndefined();
  });
});
