// A small SMTP server for the browser tests (issue 27): the portal's servers send their mails
// to it over plain SMTP (SELFCARE_SMTP_URL=smtp://127.0.0.1:SMTP_SINK_PORT), it keeps them in
// memory, parsed, and the tests read them over HTTP: GET /mails?to=<address> answers
// [{ to, subject, text, html }] in the order received; GET /healthz answers 200.
const http = require('node:http');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const smtpPort = Number(process.env.SMTP_SINK_PORT || 2525);
const httpPort = Number(process.env.SMTP_SINK_HTTP_PORT || 2526);
const mails = [];

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        for (const rcpt of session.envelope.rcptTo) {
          mails.push({
            to: rcpt.address.toLowerCase(),
            from: mail.from ? mail.from.text : '',
            subject: mail.subject || '',
            text: mail.text || '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
        }
        callback();
      })
      .catch(callback);
  },
});
smtp.listen(smtpPort, '127.0.0.1');

http
  .createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${httpPort}`);
    if (url.pathname === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (url.pathname === '/mails') {
      const to = (url.searchParams.get('to') || '').toLowerCase();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(mails.filter((m) => !to || m.to === to)));
    } else {
      res.writeHead(404).end();
    }
  })
  .listen(httpPort, '127.0.0.1');
