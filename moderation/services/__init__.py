"""Write-side domain logic, one function per action (``<entity>_<verb>``). Views, tasks and the API call these."""
