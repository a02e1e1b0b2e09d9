from panel.cli import main

raise SystemExit(main())
