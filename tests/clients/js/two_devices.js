#!/usr/bin/env node
/*
 * Two devices of one user sync a dataset through the AWS JavaScript sync client
 * (amazon-cognito-js on aws-sdk v2) against a Cognito Sync endpoint, and edit the same
 * key so the second sync reaches onConflict. Prints one JSON object per line on stdout
 * (the Python test reads them); exits non-zero on any failure.
 *
 * Usage: node two_devices.js --endpoint http://127.0.0.1:PORT \
 *          --identity-pool-id us-east-1:... --identity-id us-east-1:... --dataset NAME \
 *          [--timeout-ms MS] [--max-retries N] [--sync-attempts N]
 *
 * The last three are for runs through `cogsync proxy` with faults: the SDK's socket
 * timeout (default: the SDK's two minutes), its retries per call (default 0), and how
 * many times the app tries a synchronize that ends in onFailure (default 1). Every
 * Cognito Sync call the SDK completes is reported as a `call` event (after its retries).
 *
 * No traffic may leave 127.0.0.1: credentials are static and never refreshed (so Cognito
 * Identity and STS are never called), every service endpoint points at the emulator, and a
 * tripwire on net.Socket refuses (and reports) a connection to any other host.
 */
'use strict';

const net = require('net');

const ALLOWED_HOST = '127.0.0.1';

function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields)) + '\n');
}

function installNetworkTripwire() {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    // Node passes either (options[, cb]), (port[, host][, cb]) or its normalized array form.
    let target = Array.isArray(args[0]) ? args[0][0] : args[0];
    const isUnixSocket = target && typeof target === 'object' && target.path;
    let host;
    if (target && typeof target === 'object') {
      host = target.host;
    } else {
      host = typeof args[1] === 'string' ? args[1] : undefined;
    }
    host = host || 'localhost';
    if (!isUnixSocket && host !== ALLOWED_HOST) {
      emit('blocked_connection', { host });
      throw new Error(`refused a connection to ${host}: only ${ALLOWED_HOST} is allowed`);
    }
    return originalConnect.apply(this, args);
  };
}

function parseArgs(argv) {
  const wanted = ['endpoint', 'identity-pool-id', 'identity-id', 'dataset'];
  const numbers = { 'timeout-ms': 0, 'max-retries': 0, 'sync-attempts': 1 };
  const args = Object.assign({}, numbers);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(wanted.includes(name) || name in numbers) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument ${argv[i]}; expected --${wanted.join(' --')}`
        + ` [--${Object.keys(numbers).join(' N] [--')} N]`);
    }
    args[name] = name in numbers ? Number(argv[i + 1]) : argv[i + 1];
    if (name in numbers && !(Number.isInteger(args[name]) && args[name] >= 0)) {
      throw new Error(`--${name} must be a whole number, got ${argv[i + 1]}`);
    }
  }
  for (const name of wanted) {
    if (!args[name]) { throw new Error(`missing --${name}`); }
  }
  const host = new URL(args.endpoint).hostname;
  if (host !== ALLOWED_HOST) {
    throw new Error(`--endpoint must be on ${ALLOWED_HOST}, got ${args.endpoint}`);
  }
  return args;
}

installNetworkTripwire();
const AWS = require('aws-sdk');
require('amazon-cognito-js');

/*
 * What CognitoSyncManager reads from AWS.config.credentials: `identityId` (every call),
 * `params.IdentityPoolId` (at construction), `clearCachedId()` (wipeData). The signer
 * needs access keys; refresh() is answered locally so no Cognito Identity call is made.
 */
class LocalIdentityCredentials extends AWS.Credentials {
  constructor(identityPoolId, identityId) {
    super('AKIDCOGSYNCLOCAL', 'cogsync-local-dummy-secret');
    this.identityId = identityId;
    this.params = { IdentityPoolId: identityPoolId, IdentityId: identityId };
  }

  refresh(callback) {
    this.expired = false;
    callback();
  }

  clearCachedId() {}
}

function configure(args) {
  const local = { endpoint: args.endpoint };
  AWS.config.update({
    region: 'us-east-1',
    maxRetries: args['max-retries'],
    retryDelayOptions: { base: 20 },
    credentials: new LocalIdentityCredentials(args['identity-pool-id'], args['identity-id']),
    cognitosync: local,
    cognitoidentity: local,
    sts: local,
  });
  if (args['timeout-ms'] > 0) {
    AWS.config.update({ httpOptions: { timeout: args['timeout-ms'], connectTimeout: args['timeout-ms'] } });
  }
}

/* One `call` event per Cognito Sync call the SDK completes (after its own retries). */
function reportCalls() {
  AWS.events.on('complete', (response) => {
    const request = response.request;
    if (request.service.serviceIdentifier !== 'cognitosync') { return; }
    const fields = {
      operation: request.operation,
      ok: !response.error,
      code: response.error ? String(response.error.code || response.error.name) : null,
      status: response.httpResponse.statusCode || null,
      retries: response.retryCount,
    };
    if (!response.error && request.operation === 'updateRecords') {
      fields.records = response.data.Records.map((r) => ({
        key: r.Key, value: r.Value === undefined ? null : r.Value, syncCount: r.SyncCount,
      }));
    }
    emit('call', fields);
  });
}

function newDevice() {
  return new AWS.CognitoSyncManager({ DataStore: AWS.CognitoSyncManager.StoreInMemory });
}

function call(fn) {
  return new Promise((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function openDataset(device, name) {
  return call((cb) => device.openOrCreateDataset(name, cb));
}

/* Local records as {key: {value, syncCount, modified}}; a deleted record's value is null. */
async function snapshot(dataset) {
  const records = await call((cb) => dataset.getAllRecords(cb));
  const view = {};
  for (const record of records) {
    // The client keeps a removed record as null locally but rebuilds a tombstone it
    // received from the server (no Value) as '' (CognitoSyncRecord: `data.Value || ''`).
    const value = record.getValue();
    view[record.getKey()] = {
      value: value === '' || value === null ? null : value,
      syncCount: record.getSyncCount(),
      modified: record.isModified(),
    };
  }
  const lastSyncCount = await call((cb) => dataset.local.getLastSyncCount(
    dataset.getIdentityId(), dataset.datasetName, cb));
  return { records: view, lastSyncCount };
}

/* Numbers merge by max (a high score); anything else (a removal too): the remote value wins. */
function mergeConflict(conflict) {
  const localValue = conflict.getLocalRecord().getValue();
  const remoteValue = conflict.getRemoteRecord().getValue();
  const local = Number(localValue);
  const remote = Number(remoteValue);
  // A removal is null locally and '' when rebuilt from a server tombstone: not a number.
  const removal = [localValue, remoteValue].some((v) => v === null || v === '');
  if (!removal && Number.isFinite(local) && Number.isFinite(remote)) {
    return conflict.resolveWithValue(String(Math.max(local, remote)));
  }
  return conflict.resolveWithRemoteRecord();
}

function synchronize(deviceName, dataset) {
  return new Promise((resolve, reject) => {
    dataset.synchronize({
      onSuccess: () => resolve(),
      onFailure: (err) => reject(err),
      onConflict: (ds, conflicts, proceed) => {
        const resolved = conflicts.map((conflict) => {
          const merged = mergeConflict(conflict);
          emit('conflict', {
            device: deviceName,
            key: conflict.getKey(),
            local: conflict.getLocalRecord().getValue(),
            remote: conflict.getRemoteRecord().getValue(),
            remoteSyncCount: conflict.getRemoteRecord().getSyncCount(),
            resolved: merged.getValue(),
          });
          return merged;
        });
        ds.resolve(resolved, (err) => {
          if (err) { return reject(err); }
          return proceed(true);
        });
      },
      onDatasetDeleted: (ds, name, proceed) => proceed(true),
      onDatasetsMerged: (ds, names, proceed) => proceed(false),
    });
  });
}

async function syncAndReport(deviceName, dataset, step, attempts) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await synchronize(deviceName, dataset);
      break;
    } catch (err) {
      emit('sync_failed', { device: deviceName, step, attempt, message: String(err && err.message) });
      if (attempt >= attempts) { throw err; }
    }
  }
  emit('synced', Object.assign({ device: deviceName, step }, await snapshot(dataset)));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  configure(args);
  reportCalls();
  const sync = (deviceName, dataset, step) => syncAndReport(deviceName, dataset, step, args['sync-attempts']);
  emit('client', {
    node: process.version,
    awsSdk: AWS.VERSION,
    amazonCognitoJs: require('amazon-cognito-js/package.json').version,
  });
  const name = args.dataset;

  const phone = await openDataset(newDevice(), name);
  const tablet = await openDataset(newDevice(), name);

  // 1. The phone writes three records and syncs; the tablet pulls them.
  await call((cb) => phone.putAll({ highScore: '10', level: '3', nickname: 'ada' }, cb));
  await sync('phone', phone, 'first-write');
  await sync('tablet', tablet, 'first-pull');

  // 2. The phone removes nickname; the tablet learns of it from the tombstone.
  await call((cb) => phone.remove('nickname', cb));
  await sync('phone', phone, 'remove');
  await sync('tablet', tablet, 'remove-pull');

  // 3. Both edit highScore offline (the tablet also level); the phone syncs first, so the
  //    tablet's sync sees the phone's highScore: onConflict merges, then it pushes.
  //    (A sync that hits a conflict drops the other remote changes it listed, a quirk
  //    of amazon-cognito-js, so the remove above is synced in a step of its own.)
  await call((cb) => phone.put('highScore', '15', cb));
  await call((cb) => tablet.put('highScore', '20', cb));
  await call((cb) => tablet.put('level', '4', cb));
  await sync('phone', phone, 'edit');
  await sync('tablet', tablet, 'conflicting-edit');

  // 4. The phone pulls the merge; both devices now hold the same data.
  await sync('phone', phone, 'final-pull');
  emit('final', { phone: await snapshot(phone), tablet: await snapshot(tablet) });
}

let finished = false;
// Node exits when nothing is pending: if that happens before the flow ends, some SDK
// callback was never called (aws-sdk v2 can lose one when a connection is reset mid-answer).
process.on('beforeExit', () => {
  if (!finished) {
    finished = true;
    emit('stalled', { message: 'the event loop emptied before the flow ended: a callback was never called' });
    process.exitCode = 2;
  }
});

main().then(
  () => { finished = true; emit('done', {}); },
  (err) => {
    finished = true;
    emit('error', { message: String(err && err.message ? err.message : err) });
    process.exitCode = 1;
  },
);
