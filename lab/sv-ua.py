#!/usr/bin/env python3
"""lab/sv-ua.py UA TOOL [ARGS...]: run sipvicious TOOL (svmap, svwar, svcrack)
with User-Agent UA instead of 'friendly-scanner'.

sipvicious 0.3.3 has no option for the User-Agent (makeRequest's keyword
default), so this replaces the default in the running process, which is what
the modified builds seen in the wild (e.g. 'sundayddr') do in their source.
Nothing else of the tool changes."""
import sys

sys.path.insert(0, '/usr/share/sipvicious')
import sipvicious.libs.svhelper as h  # noqa: E402

d = list(h.makeRequest.__defaults__)
if d[-2] != 'friendly-scanner':
    sys.exit('sv-ua.py: unexpected makeRequest defaults %r' % (d,))
d[-2] = sys.argv[1]
h.makeRequest.__defaults__ = tuple(d)
tool = sys.argv[2]
sys.argv = [tool] + sys.argv[3:]
__import__('sipvicious.' + tool, fromlist=['main']).main()
