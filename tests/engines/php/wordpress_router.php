<?php
/*
 * Router for `php -S` over a WordPress copy: what WordPress's own rewrite rules (.htaccess / nginx try_files)
 * do on a real server. An existing file or a folder with an index.php is served as it is; every other path
 * (pretty permalinks, /robots.txt, /wp-sitemap.xml, feeds) goes to the root index.php.
 */
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$file = __DIR__ . $path;
if ($path !== '/' && (is_file($file) || is_file(rtrim($file, '/') . '/index.php'))) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
require __DIR__ . '/index.php';
