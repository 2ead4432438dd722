#!/usr/bin/env node
/*
 * Two devices of one user sync a dataset through the AWS JavaScript sync client
 * (amazon-cognito-js on aws-sdk v2) against a Cognito Sync endpoint, and edit the same
 * key so the second sync reaches onConflict. Prints one JSON object per line on stdout
 * (the Python test reads them); exits non-zero on any failure.
 *
 * Usage: node two_devices.js --endpoint http://127.0.0.1:PORT \
 *          --identity-pool-id us-east-1:... --identity-id us-east-1:... --dataset NAME
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
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!wanted.includes(name) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument ${argv[i]}; expected --${wanted.join(' --')}`);
    }
    args[name] = argv[i + 1];
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
    maxRetries: 0,
    credentials: new LocalIdentityCredentials(args['identity-pool-id'], args['identity-id']),
    cognitosync: local,
    cognitoidentity: local,
    sts: local,
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

/* Numbers merge by max (a high score); anything else: the remote value wins. */
function mergeConflict(conflict) {
  const local = Number(conflict.getLocalRecord().getValue());
  const remote = Number(conflict.getRemoteRecord().getValue());
  if (Number.isFinite(local) && Number.isFinite(remote)) {
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

async function syncAndReport(deviceName, dataset, step) {
  await synchronize(deviceName, dataset);
  emit('synced', Object.assign({ device: deviceName, step }, await snapshot(dataset)));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  configure(args);
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
  await syncAndReport('phone', phone, 'first-write');
  await syncAndReport('tablet', tablet, 'first-pull');

  // 2. The phone removes nickname; the tablet learns of it from the tombstone.
  await call((cb) => phone.remove('nickname', cb));
  await syncAndReport('phone', phone, 'remove');
  await syncAndReport('tablet', tablet, 'remove-pull');

  // 3. Both edit highScore offline (the tablet also level); the phone syncs first, so the
  //    tablet's sync sees the phone's highScore: onConflict merges, then it pushes.
  //    (A sync that hits a conflict drops the other remote changes it listed, a quirk
  //    of amazon-cognito-js, so the remove above is synced in a step of its own.)
  await call((cb) => phone.put('highScore', '15', cb));
  await call((cb) => tablet.put('highScore', '20', cb));
  await call((cb) => tablet.put('level', '4', cb));
  await syncAndReport('phone', phone, 'edit');
  await syncAndReport('tablet', tablet, 'conflicting-edit');

  // 4. The phone pulls the merge; both devices now hold the same data.
  await syncAndReport('phone', phone, 'final-pull');
  emit('final', { phone: await snapshot(phone), tablet: await snapshot(tablet) });
}

main().then(
  () => emit('done', {}),
  (err) => {
    emit('error', { message: String(err && err.message ? err.message : err) });
    process.exitCode = 1;
  },
);
