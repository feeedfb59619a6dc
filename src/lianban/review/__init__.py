"""Department review of item cases: accept, supplement (补正), approve with a result, reject."""
