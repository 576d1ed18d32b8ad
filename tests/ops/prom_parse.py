#!/usr/bin/env python3
"""prom_parse.py - parses Prometheus exposition text from stdin with the
real parser (prometheus_client.parser); exit 1 on any error, 0 with a
summary line otherwise, 3 when the module is missing (a skip, not a
failure)."""
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("prom_parse: prometheus_client is not installed", file=sys.stderr)
    sys.exit(3)


def main():
    text = sys.stdin.read()
    families = samples = 0
    try:
        for fam in text_string_to_metric_families(text):
            families += 1
            for s in fam.samples:
                samples += 1
                if fam.type == "histogram" and s.name.endswith("_bucket"):
                    if "le" not in s.labels:
                        raise ValueError(f"{s.name}: bucket without le")
    except Exception as e:  # the parser raises several kinds
        print(f"prom_parse: {e}", file=sys.stderr)
        return 1
    if families == 0:
        print("prom_parse: no metric families", file=sys.stderr)
        return 1
    print(f"prom_parse: {families} families, {samples} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
