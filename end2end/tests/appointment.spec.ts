import type { Locator } from '@playwright/test';

import { seriousViolations } from '../axe';
import { expect, test } from '../fixtures';
import { hydrated, signInTrio } from '../pages/sign-in-page';

/** Picks the `n`-th free window of a slot list; returns its day label and its time window. */
async function pickSlot(select: Locator, n: number): Promise<{ day: string; window: string }> {
  const option = select.locator('option:not([value=""])').nth(n);
  const value = await option.getAttribute('value');
  await select.selectOption(value!);
  return {
    day: await option.evaluate((o) => (o.parentElement as HTMLOptGroupElement).label),
    window: (await option.textContent())!.trim(),
  };
}

test('booking and rescheduling a technician appointment (A1, A2)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Rendez-vous' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rendez-vous technicien');
  // The demo's repair: date, window, address and the note for the technician.
  const cards = page.getByTestId('appointment');
  await expect(cards).toHaveCount(1);
  const repair = cards.first();
  await expect(repair.getByRole('heading')).toHaveText('Réparation');
  await expect(repair.getByTestId('appointment-window')).toHaveText('08:00–12:00');
  await expect(repair).toContainText('Le décodeur du salon ne s’allume plus');
  expect(await seriousViolations(page)).toEqual([]);

  // Reschedule to the first free window.
  await repair.getByText('Déplacer', { exact: true }).click();
  const target = await pickSlot(repair.getByLabel('Créneau'), 0);
  await repair.getByTestId('reschedule-submit').click();
  await expect(page.getByTestId('appointment-notice')).toHaveText('Votre rendez-vous a été déplacé.');
  await expect(cards.first().getByTestId('appointment-date')).toHaveText(target.day);
  await expect(cards.first().getByTestId('appointment-window')).toHaveText(target.window);

  // Book a second one: a missing window is named, and what was typed stays.
  const booking = page.getByTestId('booking');
  await booking.getByLabel('Note pour le technicien').fill('Chien gentil dans le jardin');
  await booking.getByTestId('book-submit').click();
  await expect(booking.getByLabel('Créneau')).toHaveAttribute('aria-invalid', 'true');
  await expect(booking.locator('.field-error')).toHaveText('Choisissez un créneau.');
  await expect(booking.getByLabel('Note pour le technicien')).toHaveValue('Chien gentil dans le jardin');
  await expect(booking.getByLabel('Rue et numéro')).not.toHaveValue('');
  const second = await pickSlot(booking.getByLabel('Créneau'), 2);
  await booking.getByTestId('book-submit').click();
  await expect(page.getByTestId('appointment-notice')).toHaveText('Votre rendez-vous est réservé.');
  await expect(cards).toHaveCount(2);
  const booked = cards.filter({ hasText: 'Chien gentil dans le jardin' });
  await expect(booked.getByTestId('appointment-date')).toHaveText(second.day);
  await expect(booked.getByTestId('appointment-window')).toHaveText(second.window);
  expect(await seriousViolations(page)).toEqual([]);

  // Cancel it: its window is offered again.
  await booked.getByTestId('cancel-appointment').click();
  await expect(page.getByTestId('appointment-notice')).toHaveText('Votre rendez-vous a été annulé.');
  await expect(cards).toHaveCount(1);
  await page.reload();
  await expect(cards).toHaveCount(1);
  await expect(cards.first().getByTestId('appointment-date')).toHaveText(target.day);
});

test('a move request leads to booking its installation (H4, A2)', async ({ page }) => {
  await signInTrio(page, '/fr');
  await hydrated(page);
  const internet = page.getByTestId('product').filter({ hasText: '100001-02' });
  await internet.getByRole('link', { name: 'Réserver le rendez-vous d’installation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rendez-vous technicien');
  await hydrated(page);
  const booking = page.getByTestId('booking');
  await expect(booking.getByTestId('booking-for-move')).toContainText('Quai de la Batte 8, 4020 Liège');
  const slot = await pickSlot(booking.getByLabel('Créneau'), 4);
  await booking.getByTestId('book-submit').click();
  await expect(page.getByTestId('appointment-notice')).toHaveText('Votre rendez-vous est réservé.');
  const install = page.getByTestId('appointment').filter({ hasText: 'Déménagement' });
  await expect(install.getByRole('heading')).toHaveText('Installation · Déménagement');
  await expect(install).toContainText('Quai de la Batte 8, 4020 Liège');
  await expect(install.getByTestId('appointment-window')).toHaveText(slot.window);

  await page.getByRole('link', { name: 'Accueil' }).first().click();
  await expect(page.getByTestId('product').filter({ hasText: '100001-02' }).getByTestId('move-installation')).toBeVisible();
});
