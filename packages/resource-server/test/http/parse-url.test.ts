import test from 'ava';
import { parseUrl } from '../../src/http/parse-url.ts';

test('an absolute URL parses; anything else is null, never a throw', (t) => {
  t.is(parseUrl('HTTPS://API.example.com:443/notes?x')?.href, 'https://api.example.com/notes?x');
  t.is(parseUrl('/notes'), null);
  t.is(parseUrl(''), null);
  t.is(parseUrl('http://[::1'), null);
});
