<?php
// OpenSNS test bed (tests/engines/php/opensns.py), run with the PHP CLI on the test copy (with the
// test bed's PHP 5 prelude as auto_prepend_file). ThinkPHP 3.2 runs a route given on the command
// line (index.php module/controller/action); the route asked here is Home/Fcseed/run, a controller
// that is no file of the site: the autoloader below gives it from opensns_seed_controller.php, which
// does the seeding through the engine's own models (the Forum module's install, users, posts, replies).
// Usage: php opensns_seed.php SITE < {"users": [...], "boards": [...], "threads": [...]}
// Prints {"posts": {...}} (what it made, by corpus position).
$site = rtrim($argv[1], '/');
$GLOBALS['FC_SPEC'] = json_decode(stream_get_contents(STDIN), true);
chdir($site);
spl_autoload_register(function ($class) {
    if ($class === 'Home\\Controller\\FcseedController') {
        require __DIR__ . '/opensns_seed_controller.php';
    }
});
$_SERVER['argv'] = array($argv[0], 'Home/Fcseed/run');
$_SERVER['argc'] = 2;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
define('APP_DEBUG', true);  // (as index.php)
define('APP_PATH', './Application/');
define('OS_THEME_PATH', './Theme/');
define('RUNTIME_PATH', './Runtime/');
define('__ROOT__', '');  // (the site's web root and script, which its config and URL building read; ThinkPHP 3.2.2
define('_PHP_FILE_', '/index.php');  // defines them only for web requests)
require './ThinkPHP/ThinkPHP.php';
