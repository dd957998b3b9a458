#!/bin/bash
# check-layers.sh [BASE_LIB DOMAIN_LIB] - fails when common/ breaks its
# layer rule (common/README.md): every module names its layer in its
# header comment ("Layer: base" or "Layer: domain"), no base file includes
# a domain header, and, given the two archives, no base object refers to
# a symbol the domain defines.  `make check-layers` runs it; so does
# `make test`.
set -euo pipefail
cd "$(dirname "$0")"

fail=0
err() {
	echo "check-layers: $*" >&2
	fail=1
}

declare -A layer seen
shopt -s nullglob
for src in *.c *.h; do
	mod=${src%.*}
	[[ -n ${seen[$mod]:-} ]] && continue
	seen[$mod]=1
	# The header names the layer; a module without one says it in its .c.
	doc=$mod.h
	[[ -f $doc ]] || doc=$src
	found=$(sed -n 's/^ \* Layer: \(base\|domain\)\b.*/\1/p' "$doc")
	case $(printf '%s\n' "$found" | grep -c .) in
	1) layer[$mod]=$found ;;
	0) err "$doc: no \"Layer: base\" or \"Layer: domain\" line in its header comment" ;;
	*) err "$doc: more than one \"Layer:\" line" ;;
	esac
done

for src in *.c *.h; do
	mod=${src%.*}
	[[ ${layer[$mod]:-} == base ]] || continue
	while IFS= read -r line; do
		inc=${line#*\"}
		inc=${inc%%\"*}
		dep=${inc%.h}
		if [[ ${layer[$dep]:-} == domain ]]; then
			err "$src (base) includes $inc (domain)"
		fi
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src" || true)
done

if [[ $# -eq 2 ]]; then
	base_lib=$1
	domain_lib=$2
	# Global symbols the domain defines, then every undefined reference
	# of a base object ("object: symbol").
	defined=$(nm -g --defined-only "$domain_lib" | awk 'NF == 3 { print $3 }' | sort -u)
	while read -r obj sym; do
		if grep -qxF "$sym" <<<"$defined"; then
			err "${obj%:} (base) refers to $sym, defined in the domain"
		fi
	done < <(nm -A -u "$base_lib" | awk '{ print $1, $NF }')
fi

if [[ $fail -ne 0 ]]; then
	echo "check-layers: FAILED (the rule: common/README.md)" >&2
	exit 1
fi
echo "check-layers: ok (${#layer[@]} modules)"
