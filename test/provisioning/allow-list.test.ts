import t from 'tap';
import { addressKey, createAllowList } from '../../src/provisioning/allow-list.js';
import { ConfigError } from '../../src/errors.js';

t.test('an empty list allows every address', async (t) => {
  const list = createAllowList([]);
  t.equal(list.restricted, false);
  t.equal(list.allows('203.0.113.9'), true);
  t.equal(list.allows('2001:db8::1'), true);
});

t.test('IPv4 ranges, bare hosts and IPv6 ranges', async (t) => {
  const list = createAllowList(['192.168.1.0/24', '10.0.0.7', 'fd00::/8']);
  t.equal(list.restricted, true);
  t.equal(list.allows('192.168.1.200'), true);
  t.equal(list.allows('192.168.2.1'), false);
  t.equal(list.allows('10.0.0.7'), true);
  t.equal(list.allows('10.0.0.8'), false, 'a bare address is a /32');
  t.equal(list.allows('fd12:3456::1'), true);
  t.equal(list.allows('2001:db8::1'), false);
});

t.test('IPv4-mapped IPv6 client addresses are compared as IPv4', async (t) => {
  const list = createAllowList(['192.168.1.0/24']);
  t.equal(list.allows('::ffff:192.168.1.20'), true);
  t.equal(list.allows('::ffff:192.168.9.20'), false);
  const mappedRange = createAllowList(['::ffff:10.0.0.0/104']);
  t.equal(mappedRange.allows('10.1.2.3'), true, 'a mapped range means the IPv4 range');
  t.equal(mappedRange.allows('11.1.2.3'), false);
  t.equal(addressKey('::ffff:10.0.0.5'), '10.0.0.5', 'one key for both spellings');
});

t.test('loopback IPv6 with a zone id and garbage addresses', async (t) => {
  const list = createAllowList(['::1/128', '127.0.0.0/8']);
  t.equal(list.allows('::1'), true);
  t.equal(list.allows('fe80::1%eth0'), false);
  t.equal(list.allows('not-an-ip'), false, 'unparseable addresses are refused');
  t.equal(list.allows(''), false);
});

t.test('a bad entry is a config error naming the entry', async (t) => {
  t.throws(() => createAllowList(['192.168.1.0/24', '300.1.1.0/24']), ConfigError);
  try {
    createAllowList(['192.168.1.0/24', 'office-lan']);
    t.fail('should have thrown');
  } catch (err) {
    t.type(err, ConfigError);
    t.match((err as ConfigError).message, /provisioning\.allowCidrs\[1\] = "office-lan" is not a CIDR range/);
    t.equal((err as ConfigError).field, 'provisioning.allowCidrs[1]');
  }
});
