# need_tools WHO WHY TOOL:PACKAGE... — sourced by scripts/test.sh and the
# bench/ scripts. It checks that every TOOL is installed (a command on the
# PATH, or an executable file when TOOL is an absolute path) and installs
# nothing when they all are. Otherwise, run as root, it installs the
# missing tools' Debian PACKAGEs with apt-get, saying which and why; run as
# another user, it prints the apt-get command to run and exits with status 1.
need_tools() {
	local who=$1 why=$2 spec tool pkg
	shift 2
	local missing=() pkgs=()
	for spec in "$@"; do
		tool=${spec%%:*}
		pkg=${spec#*:}
		if [[ $tool == /* ]]; then
			[ -x "$tool" ] && continue
		elif command -v "$tool" >/dev/null 2>&1; then
			continue
		fi
		missing+=("$tool")
		[[ " ${pkgs[*]} " == *" $pkg "* ]] || pkgs+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "$who: ${missing[*]} missing: $why." >&2
		echo "$who: install them, then run this script again:" >&2
		echo "  sudo apt-get install -y ${pkgs[*]}" >&2
		exit 1
	fi
	echo "$who: installing ${pkgs[*]} with apt-get for ${missing[*]} ($why)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq "${pkgs[@]}" >/dev/null
}
