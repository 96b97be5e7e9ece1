import { expect } from '@playwright/test';

/** Where the SMTP sink of the tests (smtp-sink.cjs) answers what it received. */
export const SINK = `http://127.0.0.1:${process.env.SMTP_SINK_HTTP_PORT ?? '2526'}`;

export interface Mail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

/** The mails the sink received for `to`, in order. */
export async function mailsTo(to: string): Promise<Mail[]> {
  const response = await fetch(`${SINK}/mails?to=${encodeURIComponent(to)}`);
  return (await response.json()) as Mail[];
}

/** Waits for the `count`-th mail to `to` whose subject contains `subject`, and returns it. */
export async function waitForMail(to: string, subject: string, count = 1): Promise<Mail> {
  let found: Mail[] = [];
  await expect
    .poll(
      async () => {
        found = (await mailsTo(to)).filter((m) => m.subject.includes(subject));
        return found.length;
      },
      { timeout: 20_000, message: `mail "${subject}" to ${to}` },
    )
    .toBeGreaterThanOrEqual(count);
  return found[count - 1];
}

/** Waits for a mail to `to` whose text has a link containing `part`, and returns the link. */
export async function waitForLink(to: string, part: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const words = (await mailsTo(to)).flatMap((m) => m.text.split(/\s+/));
        link = words.filter((w) => w.startsWith('http') && w.includes(part)).pop();
        return link !== undefined;
      },
      { timeout: 20_000, message: `a link with ${part} in a mail to ${to}` },
    )
    .toBe(true);
  return link!;
}

/** The first web address in a mail's text that contains `part`. */
export function linkIn(mail: Mail, part: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith('http') && word.includes(part));
  if (!link) throw new Error(`no link with ${part} in: ${mail.text}`);
  return link;
}
