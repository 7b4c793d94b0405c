# tests/python_path.sh - sourced by tests/run.sh and tests/cli/lib.sh: python3
# as itself, not through a version manager's shim.  pyenv's shim costs about
# 0.3 s a call on our machines and the scripts make thousands of calls (the
# suite's time, not its checks); the interpreter is the same one.
if _py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$_py" ] &&
	[ "$(command -v python3)" != "$_py" ]; then
	case ":$PATH:" in
	*":${_py%/*}:"*) ;;
	*) PATH="${_py%/*}:$PATH" && export PATH ;;
	esac
fi
unset _py
