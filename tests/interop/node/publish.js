#!/usr/bin/env node
// Publishes one message with amqplib, as a Node.js integrating system sends to dvk.ingress,
// and exits 0 once the broker has confirmed it (a ConfirmChannel).
//
//   node publish.js <amqp-url> <exchange> <routing-key> <options-json> <body-file>
//                   [--reply-timeout-ms=N]
//
// <options-json>: amqplib's publish options as they are (contentType, persistent, messageId,
// correlationId, type, headers, ...). The body file is read into a Buffer and sent unchanged.
// With --reply-timeout-ms the message asks for an answer on RabbitMQ's direct reply-to
// (amq.rabbitmq.reply-to); the answer is printed on stdout as one JSON line
// {"correlationId", "body"} (exit 3 when none comes in time).
// Exit 1 on any other failure (message on stderr), 2 on wrong usage.
'use strict';

const fs = require('fs');
const amqp = require('amqplib');

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
const USAGE = 'usage: publish.js <amqp-url> <exchange> <routing-key> <options-json> '
  + '<body-file> [--reply-timeout-ms=N]';

class UsageError extends Error {}
class NoReply extends Error {}

function parseArguments(argv) {
  const [url, exchange, routingKey, optionsJson, bodyFile, ...flags] = argv;
  if (bodyFile === undefined) throw new UsageError(USAGE);
  let replyTimeoutMs = null;
  for (const flag of flags) {
    const found = /^--reply-timeout-ms=(\d+)$/.exec(flag);
    if (!found) throw new UsageError(`unknown flag ${flag}\n${USAGE}`);
    replyTimeoutMs = Number(found[1]);
  }
  return { url, exchange, routingKey, options: JSON.parse(optionsJson), bodyFile, replyTimeoutMs };
}

function publishConfirmed(channel, exchange, routingKey, body, options) {
  return new Promise((resolve, reject) => {
    channel.publish(exchange, routingKey, body, options,
      (error) => (error ? reject(error) : resolve()));
  });
}

// Starts consuming the direct reply-to pseudo-queue (it must be consumed, without acks, on the
// publishing channel before the request is sent); returns a function awaiting the first answer.
async function listenForReply(channel) {
  let deliver;
  const answer = new Promise((resolve) => { deliver = resolve; });
  await channel.consume(DIRECT_REPLY_TO, (message) => deliver(message), { noAck: true });
  return (timeoutMs) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new NoReply(`no reply within ${timeoutMs} ms`)),
      timeoutMs);
    answer.then((message) => { clearTimeout(timer); resolve(message); });
  });
}

function describeReply(message) {
  return {
    correlationId: message.properties.correlationId,
    body: JSON.parse(message.content.toString('utf8')),
  };
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  const body = fs.readFileSync(args.bodyFile);
  const connection = await amqp.connect(args.url);
  // The broker's reasons come as 'error' events, which crash the process without a listener.
  connection.on('error', () => {});
  try {
    const channel = await connection.createConfirmChannel();
    const closedBy = []; // a channel the broker closed (no such exchange, say): its reason
    channel.on('error', (error) => closedBy.push(error));
    const options = { ...args.options };
    let awaitReply = null;
    if (args.replyTimeoutMs !== null) {
      awaitReply = await listenForReply(channel);
      options.replyTo = DIRECT_REPLY_TO;
    }
    await publishConfirmed(channel, args.exchange, args.routingKey, body, options)
      .catch((error) => { throw closedBy[0] || error; });
    if (awaitReply) {
      const reply = await awaitReply(args.replyTimeoutMs);
      process.stdout.write(`${JSON.stringify(describeReply(reply))}\n`);
    }
  } finally {
    await connection.close().catch(() => {});
  }
}

main().catch((error) => {
  process.stderr.write(`publish.js: ${error.message}\n`);
  if (error instanceof UsageError) process.exit(2);
  process.exit(error instanceof NoReply ? 3 : 1);
});
