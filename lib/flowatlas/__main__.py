from flowatlas.cli import main

raise SystemExit(main())
